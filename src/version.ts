/** The tool's version, recorded in bundles. Kept in step with package.json by a test. */
export const toolVersion = '0.1.0';
