package dev.skyloom.core.resources;

import dev.skyloom.core.store.DocumentStore;

/** Test fakes of the storage port, for unit tests in other packages. */
public final class TestDocumentStores {
    private TestDocumentStores() {
    }

    public static DocumentStore inMemory() {
        return new InMemoryDocumentStore();
    }
}
