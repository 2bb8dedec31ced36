// What OpenSSL alone costs per server-side TLS 1.3 handshake, with no
// sockets: client and server in one thread over a BIO pair, the server's
// thread CPU time summed around its own calls only (SSL_new, handshake,
// SSL_free). The floor under Switchboard's wss set-up cost (bench/README.md).
//
//   tls_handshake CERT KEY [--handshakes 2000] [--tickets 1] [--auto-chain]
//
// --auto-chain leaves SSL_MODE_NO_AUTO_CHAIN off (OpenSSL then builds the
// chain from the store for every handshake, as Switchboard no longer lets it).
#include <openssl/ssl.h>

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

double thread_cpu() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3)
        return std::fprintf(
                   stderr,
                   "usage: tls_handshake CERT KEY [--handshakes N] [--tickets N] [--auto-chain]\n"),
               2;
    int handshakes = 2000;
    int tickets = 1;
    bool auto_chain = false;
    for (int i = 3; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--handshakes" && i + 1 < argc)
            handshakes = std::atoi(argv[++i]);
        else if (a == "--tickets" && i + 1 < argc)
            tickets = std::atoi(argv[++i]);
        else if (a == "--auto-chain")
            auto_chain = true;
        else
            return std::fprintf(stderr, "unknown option %s\n", a.c_str()), 2;
    }
    SSL_CTX* server = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(server, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(server, argv[2], SSL_FILETYPE_PEM) != 1)
        return std::fprintf(stderr, "cannot load %s / %s\n", argv[1], argv[2]), 1;
    SSL_CTX_set_session_cache_mode(server, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(server, static_cast<std::size_t>(tickets));
    if (!auto_chain) SSL_CTX_set_mode(server, SSL_MODE_NO_AUTO_CHAIN);
    SSL_CTX* client = SSL_CTX_new(TLS_client_method());
    double spent = 0;
    int done = 0;
    for (int i = 0; i < handshakes; ++i) {
        SSL* c = SSL_new(client);
        BIO* client_end = nullptr;
        BIO* server_end = nullptr;
        BIO_new_bio_pair(&client_end, 0, &server_end, 0);
        SSL_set_bio(c, client_end, client_end);
        SSL_set_connect_state(c);
        double t = thread_cpu();
        SSL* s = SSL_new(server);
        SSL_set_bio(s, server_end, server_end);
        SSL_set_accept_state(s);
        spent += thread_cpu() - t;
        for (int step = 0; step < 10; ++step) {
            SSL_do_handshake(c);
            t = thread_cpu();
            const int r = SSL_do_handshake(s);
            spent += thread_cpu() - t;
            if (r == 1 && SSL_is_init_finished(c)) {
                ++done;
                break;
            }
        }
        t = thread_cpu();
        SSL_free(s);
        spent += thread_cpu() - t;
        SSL_free(c);
    }
    std::printf("%d of %d handshakes (TLS 1.3, %d ticket(s), auto chain %s): server %.1f us each\n",
                done, handshakes, tickets, auto_chain ? "on" : "off", spent * 1e6 / handshakes);
    SSL_CTX_free(client);
    SSL_CTX_free(server);
    return done == handshakes ? 0 : 1;
}
