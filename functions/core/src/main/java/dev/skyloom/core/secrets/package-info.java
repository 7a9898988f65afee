/**
 * Secrets: values sealed at rest ({@link dev.skyloom.core.secrets.SecretCipher}; AES-256-GCM locally), never
 * returned by the API or logged, granted to agents.
 */
package dev.skyloom.core.secrets;
