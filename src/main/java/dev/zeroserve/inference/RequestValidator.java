package dev.zeroserve.inference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;


/**
 * Checks a decoded request against the model's metadata before anything reaches ONNX Runtime. Every protocol shares
 * it; decoders have already checked that each tensor's data agrees with its own shape.
 */
public final class RequestValidator {
    private RequestValidator() {
    }

    /**
     * @return the names of the outputs to compute, in the order they are to be returned
     * @throws InferenceException INVALID_ARGUMENT naming the input or output and what is wrong with it
     */
    public static List<String> validate(InferenceRequest request, ModelMetadata metadata) {
        Set<String> seen = new HashSet<>();
        Map<String, Tensor> symbolicDimOwners = new HashMap<>();
        for (Tensor input : request.inputs()) {
            TensorSpec spec = metadata.input(input.name());
            if (spec == null) {
                throw InferenceException.invalid("unknown input '" + input.name() + "'; model '" + metadata.name()
                        + "' takes " + names(metadata.inputs()));
            }
            if (!seen.add(input.name())) {
                throw InferenceException.invalid("input '" + input.name() + "' is given more than once");
            }
            checkAgainstSpec(input, spec);
            checkSymbolicDims(input, spec, symbolicDimOwners, metadata);
        }
        for (TensorSpec spec : metadata.inputs()) {
            if (!seen.contains(spec.name())) {
                throw InferenceException.invalid("missing input '" + spec.name() + "' (" + spec.dataType() + " "
                        + Shapes.toString(spec.shape()) + "); model '" + metadata.name() + "' takes "
                        + names(metadata.inputs()));
            }
        }
        if (request.outputs().isEmpty()) {
            return metadata.outputs().stream().map(TensorSpec::name).toList();
        }
        List<String> outputs = new ArrayList<>(request.outputs().size());
        for (InferenceRequest.RequestedOutput output : request.outputs()) {
            if (metadata.output(output.name()) == null) {
                throw InferenceException.invalid("unknown output '" + output.name() + "'; model '" + metadata.name()
                        + "' has " + names(metadata.outputs()));
            }
            if (outputs.contains(output.name())) {
                throw InferenceException.invalid("output '" + output.name() + "' is requested more than once");
            }
            outputs.add(output.name());
        }
        return outputs;
    }

    private static void checkAgainstSpec(Tensor input, TensorSpec spec) {
        if (input.dataType() != spec.dataType()) {
            throw InferenceException.invalid("input '" + input.name() + "': datatype " + input.dataType()
                    + " does not match the model's " + spec.dataType());
        }
        long[] shape = input.shape();
        long[] expected = spec.shape();
        if (shape.length != expected.length) {
            throw InferenceException.invalid("input '" + input.name() + "': shape " + Shapes.toString(shape)
                    + " has rank " + shape.length + ", but the model expects rank " + expected.length + " "
                    + Shapes.toString(expected));
        }
        for (int i = 0; i < shape.length; i++) {
            if (expected[i] != TensorSpec.DYNAMIC && expected[i] != shape[i]) {
                throw InferenceException.invalid("input '" + input.name() + "': dimension " + i + " is " + shape[i]
                        + ", but the model expects " + expected[i] + " (shape " + Shapes.toString(expected) + ")");
            }
        }
    }

    /** Dynamic dimensions that the model names alike ("batch", "sequence") must agree across inputs. */
    private static void checkSymbolicDims(Tensor input, TensorSpec spec, Map<String, Tensor> owners,
            ModelMetadata metadata) {
        for (int i = 0; i < spec.shape().length; i++) {
            String dimName = spec.dimName(i);
            if (dimName == null) {
                continue;
            }
            Tensor owner = owners.putIfAbsent(dimName, input);
            if (owner == null) {
                continue;
            }
            long expected = owner.shape()[dimIndex(metadata.input(owner.name()), dimName)];
            if (input.shape()[i] != expected) {
                throw InferenceException.invalid("input '" + input.name() + "': dimension " + i + " ('" + dimName
                        + "') is " + input.shape()[i] + ", but input '" + owner.name() + "' has '" + dimName + "' = "
                        + expected + "; the model needs them equal");
            }
        }
    }

    private static int dimIndex(TensorSpec spec, String dimName) {
        for (int i = 0; i < spec.shape().length; i++) {
            if (dimName.equals(spec.dimName(i))) {
                return i;
            }
        }
        throw new IllegalStateException("no dimension '" + dimName + "' in " + spec.name());
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).collect(Collectors.joining(", ", "[", "]"));
    }
}
