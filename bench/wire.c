/* Connects port pairs in one client session, much faster than one jack_connect per pair:
 *   wire SOURCE DESTINATION [SOURCE DESTINATION ...]
 * A refused connection (its client not active yet) is retried for up to 10 s. */
#include <errno.h>
#include <jack/jack.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 3 || argc % 2 == 0) {
        fprintf(stderr, "usage: wire SOURCE DESTINATION [SOURCE DESTINATION ...]\n");
        return 2;
    }
    jack_client_t* client = jack_client_open("benchwire", JackNoStartServer, NULL);
    if (!client) return 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        int rc, tries = 0;
        while ((rc = jack_connect(client, argv[i], argv[i + 1])) != 0 && rc != EEXIST && tries++ < 1000)
            usleep(10000);
        if (rc != 0 && rc != EEXIST) {
            fprintf(stderr, "wire: cannot connect %s to %s\n", argv[i], argv[i + 1]);
            jack_client_close(client);
            return 1;
        }
    }
    jack_client_close(client);
    return 0;
}
