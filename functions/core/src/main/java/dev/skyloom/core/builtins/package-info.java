/**
 * The built-in functions of pipeline {@code lambda} steps ({@code http_request}, {@code json_transform}), behind one
 * Lambda function ({@code builtins} in the manifest). Pure apart from the HTTP fetcher port the agent's
 * {@code http_request} tool uses: same URL guard, address policy, limits and redirect handling.
 */
package dev.skyloom.core.builtins;
