package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Answers with what it saw: the payload, its function name, remaining time, an environment variable (read as a
 * Skyloom handler reads its environment) and the class loader that loaded it.
 */
public class EchoHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String payload = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        Properties env = new Properties();
        try (InputStream in = EchoHandler.class.getClassLoader()
                .getResourceAsStream("META-INF/skyloom/lambda-environment.properties")) {
            if (in != null) {
                env.load(in);
            }
        }
        System.out.println("echo handler saw " + payload.length() + " bytes");
        context.getLogger().log("logged through the Lambda logger");
        String json = "{\"payload\":" + (payload.isEmpty() ? "null" : payload)
                + ",\"function\":\"" + context.getFunctionName() + "\""
                + ",\"remainingMs\":" + context.getRemainingTimeInMillis()
                + ",\"greeting\":\"" + env.getProperty("GREETING", "") + "\""
                + ",\"region\":\"" + env.getProperty("AWS_REGION", "") + "\""
                + ",\"loader\":\"" + EchoHandler.class.getClassLoader().getName() + "\"}";
        output.write(json.getBytes(StandardCharsets.UTF_8));
    }
}
