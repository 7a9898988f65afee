package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.253.1.1",
            "2606:2800:220:1:248:1893:25c8:1946", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"})
    void publicAddress_isAllowed(String address) throws Exception {
        assertThat(AddressPolicy.publicOnly().refusal(InetAddress.getByName(address), 443)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.0.1", "100.64.0.1", "169.254.169.254",
            "0.0.0.0", "224.0.0.251", "255.255.255.255", "::1", "::", "fd00:ec2::254", "fe80::1", "ff02::1",
            "::ffff:127.0.0.1", "::7f00:1", "64:ff9b::7f00:1", "2002:a00:1::", "2001:db8::1", "fec0::1"})
    void nonPublicAddress_isRefused_sayingWhy(String address) throws Exception {
        assertThat(AddressPolicy.publicOnly().refusal(InetAddress.getByName(address), 80))
                .hasValueSatisfying(reason -> assertThat(reason).contains(" is "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.1/", "http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/",
            "http://0/", "http://localhost./", "gopher://a.example/", "http://a@b.example/"})
    void urlGuard_refusesBeforeAnyLookup(String url) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UrlGuard.check(url, java.util.Optional.empty()))
                .isInstanceOf(HttpFetcher.Refused.class);
    }
}
