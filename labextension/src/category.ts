/** The palette and Launcher category of every Atelier command. */
export const ATELIER_CATEGORY = 'Atelier';
