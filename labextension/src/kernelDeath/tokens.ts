/** Id of the plugin that tells a notebook why its kernel died. */
export const KERNEL_DEATH_PLUGIN_ID = '@atelier/labextension:kernel-death';
