// Types of oomContainer.mjs for the TypeScript tests.
export declare const OOM_LIMIT: string;
export declare const OOM_RUN_ARGS: string[];
