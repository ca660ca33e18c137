package dev.hiringkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

/** Free ports for the cluster's programs, and waiting until one listens. */
final class Ports {

    private Ports() {
    }

    static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns once something accepts connections on the port; fails when {@code process} exits first. */
    static void awaitListening(int port, ChildProcess process) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(process.name() + " exited:\n" + process.tail(20));
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(process.name() + " does not listen on " + port + ":\n" + process.tail(20));
                }
                Thread.sleep(100);
            }
        }
    }
}
