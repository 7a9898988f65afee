package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.core.agent.tools.AddressPolicy;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The builtins function's address policy: public only, plus exactly the ip:port pairs an operator lists. */
class BuiltInFunctionHandlerTest {

    @Test
    void withoutTheVariable_onlyPublicAddressesAreAllowed() throws Exception {
        AddressPolicy policy = BuiltInFunctionHandler.policy(null);
        assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"), 8080)).isPresent();
        assertThat(policy.refusal(InetAddress.getByName("169.254.169.254"), 80)).isPresent();
        assertThat(policy.refusal(InetAddress.getByName("93.184.216.34"), 443)).isEmpty();
        assertThat(BuiltInFunctionHandler.policy(" ").refusal(InetAddress.getByName("10.0.0.1"), 80)).isPresent();
    }

    @Test
    void listedPairs_areAllowedExactly_andNothingElsePrivate() throws Exception {
        AddressPolicy policy = BuiltInFunctionHandler.policy("127.0.0.1:8123, [::1]:9000");
        assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"), 8123)).isEmpty();
        assertThat(policy.refusal(InetAddress.getByName("::1"), 9000)).isEmpty();
        assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"), 8124)).isPresent();
        assertThat(policy.refusal(InetAddress.getByName("127.0.0.2"), 8123)).isPresent();
        assertThat(policy.refusal(InetAddress.getByName("169.254.169.254"), 8123)).isPresent();
    }

    @Test
    void aNameOrAMissingPort_isRefusedAtStart_sayingWhatIsValid() {
        assertThatThrownBy(() -> BuiltInFunctionHandler.policy("localhost:8080"))
                .hasMessageContaining("SKYLOOM_HTTP_ALLOW_ADDRESSES").hasMessageContaining("not ip:port");
        assertThatThrownBy(() -> BuiltInFunctionHandler.policy("127.0.0.1"))
                .hasMessageContaining("not ip:port");
        assertThatThrownBy(() -> BuiltInFunctionHandler.policy("127.0.0.1:http"))
                .hasMessageContaining("not ip:port");
    }
}
