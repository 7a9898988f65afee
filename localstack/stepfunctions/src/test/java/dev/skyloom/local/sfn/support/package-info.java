/** Test support: a scripted fake of the host's service integrations and a small API client that waits on executions through a listener. */
package dev.skyloom.local.sfn.support;
