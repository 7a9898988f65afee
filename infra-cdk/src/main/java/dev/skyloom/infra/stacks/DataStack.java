package dev.skyloom.infra.stacks;

import dev.skyloom.infra.constructs.Data;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.ResourceManifest;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * The stateful part of a stage: the data key, the tables and the buckets of the manifest. It changes rarely and is
 * kept apart so that the platform stack can be replaced freely; everything in it is retained on deletion.
 */
public final class DataStack extends Stack {
    private final Data data;

    public DataStack(Construct scope, String id, StackProps props, ResourceManifest manifest, Naming naming) {
        super(scope, id, props);
        data = new Data(this, "Data", Data.DataProps.builder().manifest(manifest).naming(naming).build());
    }

    public Data data() {
        return data;
    }
}
