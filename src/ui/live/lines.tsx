// Draws prepared lines, one Text each. They are already cut to the width; truncate-end is a
// second guard for a character whose width we measured short, so a line can never wrap.

import { Box, Text } from 'ink';
import type { Line, Painter } from './paint.ts';

export function Lines({ lines, paint }: { readonly lines: readonly Line[]; readonly paint: Painter }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {paint(line) || ' '}
        </Text>
      ))}
    </Box>
  );
}
