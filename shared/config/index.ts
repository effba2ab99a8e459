export { coreSettings, definedEnv, functionNames, loadConfig, parseResultsUrl, parseStage, type BatonConfig, type FunctionNames } from './config.ts';
export { envHttpUrl, envMatching, envOneOf, envRate, envSetting, envPort, envText, envWholeNumber, parseEnv, type Env, type Rate } from './env-schema.ts';
