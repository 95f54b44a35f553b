/** The admin shell's store, given to the sections below it (the layout makes it from `?token`). */
import { createContext } from 'svelte';
import type { AdminStore } from './store.svelte.js';

const [getAdmin, setAdmin] = createContext<AdminStore>();

export { getAdmin, setAdmin };
