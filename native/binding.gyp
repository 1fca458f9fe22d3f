{
  "targets": [
    {
      "target_name": "keccak_leaves",
      "sources": ["keccak_leaves.c"],
      "cflags": ["-O3"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}
