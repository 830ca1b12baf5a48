/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API lives, e.g. `https://api.example.com/api`; defaults to `/api` on the same origin. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
