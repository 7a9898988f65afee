package dev.skyloom.local.cloud.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class S3PathsTest {

    @Test
    void pathOf_virtualHostedStyle_becomesPathStyle() {
        assertThat(S3Paths.pathOf("/key/a.txt", "docs.s3.localhost.localstack.cloud:4566")).isEqualTo("/docs/key/a.txt");
        assertThat(S3Paths.pathOf("/key", "docs.localhost:4566")).isEqualTo("/docs/key");
        assertThat(S3Paths.pathOf("/", "my.bucket.s3.localhost")).isEqualTo("/my.bucket/");
    }

    @Test
    void pathOf_pathStyle_isUnchanged() {
        assertThat(S3Paths.pathOf("/docs/key", "localhost:4566")).isEqualTo("/docs/key");
        assertThat(S3Paths.pathOf("/docs/key", "127.0.0.1:4566")).isEqualTo("/docs/key");
        assertThat(S3Paths.pathOf("/docs/key", "s3.localhost.localstack.cloud:4566")).isEqualTo("/docs/key");
        assertThat(S3Paths.pathOf("/docs/key", null)).isEqualTo("/docs/key");
    }
}
