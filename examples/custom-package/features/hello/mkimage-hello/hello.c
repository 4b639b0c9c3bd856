// Greets whom it is told to (the world by default), as a JSON object.
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  json_t *o = json_pack("{s:s}", "hello", argc > 1 ? argv[1] : "world");
  char *s = json_dumps(o, JSON_SORT_KEYS);
  puts(s);
  free(s);
  json_decref(o);
  return 0;
}
