package dev.skyloom.local.cloud.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuntimeApiClassLoaderTest {

    @Test
    void loadClass_exposesTheJdkAndTheLambdaRuntimeInterfaces_only() throws Exception {
        RuntimeApiClassLoader loader = new RuntimeApiClassLoader(getClass().getClassLoader());

        assertThat(loader.loadClass("java.util.List")).isSameAs(java.util.List.class);
        assertThat(loader.loadClass("com.amazonaws.services.lambda.runtime.Context"))
                .isSameAs(com.amazonaws.services.lambda.runtime.Context.class);
        assertThatThrownBy(() -> loader.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> loader.loadClass(LocalLambda.class.getName()))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
