interface ImportMetaEnv {
  /** Where the API lives, e.g. https://api.example.com. Defaults to http://localhost:8000. */
  readonly PUBLIC_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
