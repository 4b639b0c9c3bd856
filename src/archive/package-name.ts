// The package a profile's entry names: `nginx`, `nginx:amd64`, `nginx=1.22.1-9` and
// `nginx/bookworm-backports` all name nginx.

export const packageName = (entry: string): string => entry.replace(/[:=/].*$/, '');
