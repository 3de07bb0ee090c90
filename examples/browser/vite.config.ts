import { defineConfig } from 'vite';

// The page reads the repository's migrations folder (../../migrations) through import.meta.glob. Vite's dev server
// allows files up to the workspace root (the folder with pnpm-workspace.yaml) by default, which includes it.
export default defineConfig({
  // Relative asset URLs, so the built page works from any folder of any static server.
  base: './',
  build: {
    target: 'es2022',
    rolldownOptions: {
      // The driver falls back to import('sql.js') when it is given no module; this page gives it one, so that import
      // is never taken, and the warning that it cannot split sql.js into its own chunk says nothing useful.
      checks: { ineffectiveDynamicImport: false },
    },
  },
});
