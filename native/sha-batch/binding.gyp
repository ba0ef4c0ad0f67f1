{
  "targets": [
    {
      "target_name": "sha_batch",
      "sources": ["sha_batch.c"],
      "cflags": ["-O3"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}
