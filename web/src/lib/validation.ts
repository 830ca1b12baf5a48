/** The server's minimum password length (checked here first for a quicker answer). */
export const PASSWORD_MIN = 8;

/** The longest passkey name the server keeps. */
export const PASSKEY_NAME_MAX = 100;
