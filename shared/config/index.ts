export { coreSettings, definedEnv, functionNames, loadConfig, parseResultsUrl, parseStage, type BatonConfig, type FunctionNames } from './config.ts';
export { envHttpUrl, envMatching, envOneOf, envSetting, envPort, envText, envWholeNumber, parseEnv, type Env } from './env-schema.ts';
