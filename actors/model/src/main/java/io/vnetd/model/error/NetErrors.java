package io.vnetd.model.error;

/**
 * The control plane's refusals, in one place: QEMU's class and wording where QEMU has the rule, vnetd's
 * own where it has not (a journal, command-line declarations that meet a journal). The rules of
 * {@code netdev_add} before it looks at any state are {@link io.vnetd.model.netdev.NetdevRules}'.
 */
public final class NetErrors {

    private NetErrors() {
    }

    public static NetException deviceNotFound(String name) {
        return new NetException(ErrorClass.DeviceNotFound, "Device '" + name + "' not found");
    }

    /** {@code netdev_add} of an id some netdev has. */
    public static NetException duplicateId(String id) {
        return NetException.generic("Duplicate ID '" + id + "'");
    }

    /** A hubport's {@code netdev=} names no netdev. */
    public static NetException netdevNotFound(String name) {
        return NetException.generic("netdev '" + name + "' not found");
    }

    /** A hubport's {@code netdev=} names a netdev that has a peer. */
    public static NetException netdevInUse(String name) {
        return NetException.generic("netdev '" + name + "' is already in use");
    }

    public static NetException notADeviceModel(String driver) {
        return NetException.generic("'" + driver + "' is not a valid device model name");
    }

    /** {@code device_add} of an id a device has, as QEMU's options find it taken. */
    public static NetException duplicateDeviceOption(String id) {
        return NetException.generic("Duplicate ID '" + id + "' for device");
    }

    /** A device of that id exists, as QEMU's device tree finds it taken. */
    public static NetException duplicateDeviceId(String id) {
        return NetException.generic("Duplicate device ID '" + id + "'");
    }

    /** A NIC's {@code netdev} property names no netdev; {@code owner} is the type that has the property. */
    public static NetException netdevPropertyNotFound(String owner, String netdev) {
        return NetException.generic("Property '" + owner + ".netdev' can't find value '" + netdev + "'");
    }

    public static NetException netdevPropertyInUse(String owner, String netdev) {
        return NetException.generic("Property '" + owner + ".netdev' can't take value '" + netdev + "', it's in use");
    }

    public static NetException badMacProperty(String owner, String mac) {
        return NetException.generic("Property '" + owner + ".mac' doesn't take value '" + mac + "'");
    }

    public static NetException propertyNotFound(String driver, String property) {
        return NetException.generic("Property '" + driver + "." + property + "' not found");
    }

    public static NetException invalidNetClientName(String name) {
        return NetException.generic("invalid net client name: " + name);
    }

    public static NetException notANic(String name) {
        return NetException.generic("net client(" + name + ") isn't a NIC");
    }

    public static NetException noRxFilterQuery(String name) {
        return NetException.generic("net client(" + name + ") doesn't support rx-filter querying");
    }

    /** A guest's control message to a NIC without a virtio control queue. */
    public static NetException noControlQueue(String nic, String driver) {
        return NetException.generic("NIC '" + nic + "' (" + driver + ") has no virtio control queue");
    }

    public static NetException vlanOutOfRange(int vid) {
        return NetException.generic("VLAN id " + vid + " is out of range 0-4095");
    }

    public static NetException noAutomaticMacLeft() {
        return NetException.generic("no free automatic MAC address is left: give the NIC a 'mac'");
    }

    /** A {@code -netdev} whose id the journal has with another configuration. */
    public static NetException netdevDeclaredOtherwise(String id) {
        return NetException.generic("netdev '" + id + "' exists in the journal with another configuration;"
                + " delete it with netdev_del or change the option");
    }

    /** A {@code -device} whose NIC the journal has with another model, netdev or MAC. */
    public static NetException nicDeclaredOtherwise(String name) {
        return NetException.generic("NIC '" + name + "' exists in the journal with another model, netdev"
                + " or MAC; delete it with device_del or change the option");
    }

    /** {@code __io.vnetd_node} names no member of the cluster. */
    public static NetException unknownNode(String node) {
        return NetException.generic("vnetd node '" + node + "' is not a member of the cluster");
    }

    /** A hubport's {@code netdev=} peer lives on another node than the one the request names. */
    public static NetException peerOnOtherNode(String peer, String peerNode) {
        return NetException.generic("netdev '" + peer + "' is on vnetd node '" + peerNode
                + "': a netdev and its peer share a node");
    }

    /** The directory's node cannot be reached: it is moving to another node. */
    public static NetException directoryMoving(String node) {
        return NetException.generic("vnetd node '" + node + "', which holds the network's directory, is not reachable;"
                + " the directory moves to another node once the cluster has removed it: try again in a few seconds");
    }

    /** The directory's node became unreachable while a command was with it. */
    public static NetException directoryLost(String node) {
        return NetException.generic("vnetd node '" + node + "', which holds the network's directory, became unreachable"
                + " while the command was with it: it may or may not have been applied; the directory moves to another"
                + " node once the cluster has removed it");
    }

    /** A command on a client that may move, while the node it ran on cannot be reached. */
    public static NetException clientMoving(String client, String node) {
        return NetException.generic("'" + client + "' is moving from vnetd node '" + node
                + "', which is not reachable, to another node; try again in a few seconds");
    }

    /** The status a listing gives a netdev whose node cannot be reached. */
    public static String nodeUnreachableStatus(String node) {
        return "vnetd node '" + node + "' is not reachable";
    }

    /** A command on a client whose node has left the cluster or cannot be reached. */
    public static NetException nodeUnreachable(String client, String node) {
        return NetException.generic("'" + client + "' is on vnetd node '" + node
                + "', which is not reachable; try again when the node is back");
    }

    /** The journal refused or failed a command's events: nothing was changed. */
    public static NetException notJournaled(Throwable cause) {
        return NetException.generic("vnetd could not journal the change: " + reason(cause));
    }

    /** A command that failed for a reason of vnetd's own (an entity that did not answer in time). */
    public static NetException failed(Throwable cause) {
        return NetException.generic("vnetd: " + reason(cause));
    }

    private static String reason(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
