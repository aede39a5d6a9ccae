import { defaultDetectionConfig, parseDetectionConfig, type DetectionConfig } from '../domain/detection-config';
import { readJsonConfig } from './env';

/**
 * The detection config file (`DETECTION_FILE`), read and validated once at start-up by the entry
 * points (worker, API) and passed down; the schema and its defaults live in
 * `domain/detection-config.ts`. A bad file stops the process naming each bad field.
 */
export function readDetectionConfig(path: string | undefined): DetectionConfig {
  return path ? readJsonConfig('DETECTION_FILE', path, parseDetectionConfig) : defaultDetectionConfig();
}
