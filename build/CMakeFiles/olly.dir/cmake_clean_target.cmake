file(REMOVE_RECURSE
  "libolly.a"
)
