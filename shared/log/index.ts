export {
  createLogger,
  errorLogFields,
  LOG_FORMATS,
  LOG_LEVELS,
  logOptionsFromEnv,
  logSettings,
  loggerFromEnv,
  processLogger,
  textLine,
  type CreateLoggerOptions,
  type Logger,
  type LogOptions,
} from './logger.ts';
