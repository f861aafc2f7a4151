// Svelte compiler options shared by Vite (vite.config.ts) and svelte-check: runes mode everywhere.
export default { compilerOptions: { runes: true } };
