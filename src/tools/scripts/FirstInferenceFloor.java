import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * The floor under the service's cold start: the least a JVM program does to answer one inference of the bundled
 * model — load ONNX Runtime, create the session, run four tokens, print one value — started as the service is
 * (cold-start-matrix.sh), so that each of the service's start times is a ratio to it. Argument: the model file, or
 * none to read the model out of its jar as the service does by default.
 */
public final class FirstInferenceFloor {
    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] model;
        if (args.length > 0) {
            model = Files.readAllBytes(Path.of(args[0]));
        } else {
            try (InputStream in = FirstInferenceFloor.class.getClassLoader()
                    .getResourceAsStream("all-minilm-l6-v2-q.onnx")) {
                model = in.readAllBytes();
            }
        }
        long[] shape = { 1, 4 };
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] { 101, 7592, 2088, 102 }), shape);
                OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] { 1, 1, 1, 1 }), shape);
                OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[4]), shape);
                OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                        "token_type_ids", types))) {
            System.out.println(((OnnxTensor) result.get(0)).getFloatBuffer().get(0));
        }
    }
}
