/**
 * The REST API's machinery, independent of AWS: requests and responses, the {@link dev.skyloom.core.api.Router},
 * strict JSON ({@link dev.skyloom.core.api.Json}), opaque cursors, and the one error mapping
 * ({@link dev.skyloom.core.api.ErrorMapping}).
 */
package dev.skyloom.core.api;
