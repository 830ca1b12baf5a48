/** The server's minimum password length (checked here first for a quicker answer). */
export const PASSWORD_MIN = 8;
