package io.vnetd.it.guest;

/**
 * The guests of {@link GuestsOnVnetd} with vhost-user NICs whose back-end is a vhost-user port of
 * vnetd: the guest's rings in shared memory that vnetd serves, QEMU's vhost-user chardev reconnecting
 * to a restarted vnetd. Skipped, naming the netdev type, where vnetd does not offer it.
 */
class VhostUserGuestsIT extends GuestsOnVnetd {

    @Override
    Attachment attachment() {
        return new Attachment.VhostUser();
    }

    @Override
    String subnet() {
        return "198.18.226";
    }
}
