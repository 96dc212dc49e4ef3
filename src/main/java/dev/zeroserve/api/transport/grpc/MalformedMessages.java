package dev.zeroserve.api.transport.grpc;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;

import dev.zeroserve.inference.BoundedMessage;
import dev.zeroserve.api.transport.TransportOrder;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Request messages that are not valid protobuf, and unary requests that end before a whole message, are answered
 * INVALID_ARGUMENT saying so. Vert.x's gRPC bridge drops a message that fails to parse, and a last frame shorter than
 * its length prefix, without a word: the call was answered INTERNAL "Half-closed without a request", or, when the
 * bytes after a length prefix that declared too few formed a second message, never at all (a unary call asks for two
 * messages, and the end of the stream waited for a third). A message that does not parse now reaches the call as a
 * stand-in carrying protobuf's reason.
 */
@ApplicationScoped
public class MalformedMessages implements ServerInterceptor, Prioritized {
    private static final Logger LOG = Logger.getLogger(MalformedMessages.class);
    /** The largest field number protobuf allows: no message of the v2 protocol has it. */
    private static final int REASON_FIELD = (1 << 29) - 1;
    /** Marks a stand-in, so that a client's message that does carry the field is not taken for one. */
    private static final ByteString STAND_IN = ByteString.copyFromUtf8(UUID.randomUUID().toString());

    /**
     * The service with every request parsed by {@link Reporting}; the service registers this interceptor
     * ({@code @RegisterInterceptor}) to answer the stand-ins.
     */
    public static ServerServiceDefinition reported(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> reporting = reporting(method);
            descriptor.addMethod(reporting.getMethodDescriptor());
            methods.add(reporting);
        }
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(definition::addMethod);
        return definition.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> reporting(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        return ServerMethodDefinition.create(descriptor.toBuilder(
                new Reporting<>((MethodDescriptor.PrototypeMarshaller<Q>) descriptor.getRequestMarshaller()),
                descriptor.getResponseMarshaller()).build(), method.getServerCallHandler());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;
            private boolean received;

            @Override
            public void onMessage(Q message) {
                received = true;
                String reason = reasonOf(message);
                if (reason != null) {
                    refuse(call, "the message is not a valid " + ((Message) message).getDescriptorForType()
                            .getFullName() + ": " + reason);
                } else if (!refused) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (!received && call.getMethodDescriptor().getType().clientSendsOneMessage()) {
                    refuse(call, "the request ended before a whole message: its length prefix declares more bytes"
                            + " than were sent");
                } else if (!refused) {
                    super.onHalfClose();
                }
            }

            private void refuse(ServerCall<Q, R> call, String reason) {
                if (!refused) {
                    refused = true;
                    String described = BoundedMessage.of(reason);
                    LOG.debugf("Answered INVALID_ARGUMENT: %s", described);
                    call.close(Status.INVALID_ARGUMENT.withDescription(described), new Metadata());
                }
            }
        };
    }

    @Override
    public int getPriority() {
        return TransportOrder.GRPC_MALFORMED_MESSAGES_INTERCEPTOR;
    }

    private static String reasonOf(Object message) {
        if (message instanceof Message parsed && parsed.getUnknownFields().hasField(REASON_FIELD)) {
            List<ByteString> values = parsed.getUnknownFields().getField(REASON_FIELD).getLengthDelimitedList();
            if (values.size() == 2 && values.get(0).equals(STAND_IN)) {
                return values.get(1).toStringUtf8();
            }
        }
        return null;
    }

    /** The request's own marshaller, but a message that does not parse becomes a stand-in carrying the reason. */
    private record Reporting<T>(MethodDescriptor.PrototypeMarshaller<T> parser)
            implements MethodDescriptor.PrototypeMarshaller<T> {
        @Override
        public T parse(InputStream stream) {
            try {
                return parser.parse(stream);
            } catch (StatusRuntimeException e) {
                String reason = e.getCause() != null ? e.getCause().getMessage() : e.getStatus().getDescription();
                @SuppressWarnings("unchecked")
                T standIn = (T) ((Message) parser.getMessagePrototype()).toBuilder()
                        .setUnknownFields(UnknownFieldSet.newBuilder().addField(REASON_FIELD,
                                UnknownFieldSet.Field.newBuilder().addLengthDelimited(STAND_IN)
                                        .addLengthDelimited(ByteString.copyFromUtf8(String.valueOf(reason))).build())
                                .build())
                        .build();
                return standIn;
            }
        }

        @Override
        public InputStream stream(T value) {
            return parser.stream(value);
        }

        @Override
        public T getMessagePrototype() {
            return parser.getMessagePrototype();
        }

        @Override
        public Class<T> getMessageClass() {
            return parser.getMessageClass();
        }
    }
}
