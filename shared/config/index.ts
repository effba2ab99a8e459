export { definedEnv, functionNames, loadConfig, parseResultsUrl, parseStage, type BatonConfig, type Env, type FunctionNames } from './config.ts';
