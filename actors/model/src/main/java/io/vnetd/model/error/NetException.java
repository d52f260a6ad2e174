package io.vnetd.model.error;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serial;
import java.util.Objects;

/**
 * A refused command: QMP's error class and QEMU's wording. The one error type from where a rule is
 * checked to the QMP answer: an entity's refusal carries it to the directory, the directory's to the
 * gateway, which answers with it. No stack trace: this is an answer to the user, not a fault. Equal
 * by class and text, and serialized as them (between the nodes of a cluster).
 */
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
public final class NetException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    @JsonCreator
    public NetException(@JsonProperty("errorClass") ErrorClass errorClass, @JsonProperty("desc") String desc) {
        super(desc, null, false, false);
        this.errorClass = errorClass;
    }

    public static NetException generic(String desc) {
        return new NetException(ErrorClass.GenericError, desc);
    }

    @JsonProperty("errorClass")
    public ErrorClass errorClass() {
        return errorClass;
    }

    @JsonProperty("desc")
    public String desc() {
        return getMessage();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NetException that && errorClass == that.errorClass && desc().equals(that.desc());
    }

    @Override
    public int hashCode() {
        return Objects.hash(errorClass, desc());
    }
}
