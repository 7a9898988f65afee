/**
 * The embedded local cloud: {@link dev.skyloom.local.cloud.LocalCloud} wires the emulators, the edge, the local
 * Lambda service and the local API Gateway; {@link dev.skyloom.local.cloud.LocalCloudMain} is {@code skyloom up}.
 */
package dev.skyloom.local.cloud;
