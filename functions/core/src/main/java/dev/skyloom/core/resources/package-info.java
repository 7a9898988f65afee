/**
 * The platform's tenant-scoped resources (projects and their boards, agents, tasks): their documents, validation
 * that names every bad field, and services with optimistic locking over {@link dev.skyloom.core.store.DocumentStore}.
 */
package dev.skyloom.core.resources;
