/* intclient.h semantics, checked against the running server with bantam_gain as the object:
 * names and handles round-trip, JackUseExactName, the defaults without JackLoadName and
 * JackLoadInit, option and length checks, unloading twice, and the deprecated calls.
 *   intclient_checks
 * Prints "FAIL: ..." for each failed check and exits 1 if there was any, else prints "ok". */
#include <jack/intclient.h>
#include <jack/jack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int condition, const char* what) {
    if (!condition) {
        printf("FAIL: %s\n", what);
        ++failures;
    }
}

static jack_intclient_t load(jack_client_t* client, const char* name, jack_options_t options,
                             jack_status_t* status, const char* init) {
    return jack_internal_client_load(client, name, options | JackLoadName | JackLoadInit, status,
                                     "bantam_gain", init);
}

static void check_name(jack_client_t* client, jack_intclient_t handle, const char* expected) {
    char* name = jack_get_internal_client_name(client, handle);
    check(name && strcmp(name, expected) == 0, "jack_get_internal_client_name");
    jack_free(name);
}

int main(void) {
    jack_status_t status;
    jack_client_t* client = jack_client_open("intclient_checks", JackNoStartServer, &status);
    if (!client) return 2;

    jack_intclient_t first = load(client, "ic", 0, &status, "1 0.5");
    check(first != 0 && status == 0, "load by object name with an init string");
    check_name(client, first, "ic");
    check(jack_port_by_name(client, "ic:out_1") != NULL, "the internal client's port exists");
    check(jack_internal_client_handle(client, "ic", &status) == first && status == 0,
          "jack_internal_client_handle finds the same handle");

    check(load(client, "ic", JackUseExactName, &status, "1") == 0 &&
              (status & (JackFailure | JackNameNotUnique)) == (JackFailure | JackNameNotUnique),
          "JackUseExactName with a taken name fails with JackNameNotUnique");
    jack_intclient_t second = load(client, "ic", 0, &status, "1");
    check(second != 0 && second != first && status == JackNameNotUnique,
          "a taken name is made unique");
    check_name(client, second, "ic-01");

    /* Neither JackLoadName nor JackLoadInit: the object is named like the client, and its
     * jack_initialize gets NULL (bantam_gain's defaults: two channels). */
    jack_intclient_t plain = jack_internal_client_load(client, "bantam_gain", 0, &status);
    check(plain != 0 && status == 0, "load with no optional arguments");
    check(jack_port_by_name(client, "bantam_gain:in_2") != NULL, "NULL init string: defaults");

    check(jack_internal_client_load(client, "x", JackNoStartServer, &status) == 0 &&
              status == (JackFailure | JackInvalidOption),
          "options outside JackLoadOptions are refused");
    static char long_init[JACK_LOAD_INIT_LIMIT + 1];
    memset(long_init, '1', JACK_LOAD_INIT_LIMIT);
    check(load(client, "x", 0, &status, long_init) == 0 && (status & JackInvalidOption),
          "an init string of JACK_LOAD_INIT_LIMIT characters is refused");
    check(load(client, "bad:name", 0, &status, "1") == 0 && (status & JackFailure),
          "a client name with a colon is refused");

    check(jack_internal_client_unload(client, first) == 0, "unload");
    check(jack_internal_client_unload(client, first) == (JackFailure | JackNoSuchClient),
          "a second unload: JackNoSuchClient");
    check(jack_port_by_name(client, "ic:out_1") == NULL, "unloading removed the ports");
    check(jack_internal_client_handle(client, "ic", &status) == 0 &&
              status == (JackFailure | JackNoSuchClient),
          "no handle for an unloaded client");
    check(jack_get_internal_client_name(client, first) == NULL, "no name for an unloaded client");
    check(jack_internal_client_unload(client, 0) == (JackFailure | JackNoSuchClient),
          "handle 0 is nobody");
    check(jack_internal_client_unload(client, second) == 0, "unload the renamed one");
    check(jack_internal_client_unload(client, plain) == 0, "unload the plain one");

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    check(jack_internal_client_new("x", "bantam_gain", "") == -1,
          "jack_internal_client_new is deprecated");
    jack_internal_client_close("x");
#pragma GCC diagnostic pop

    jack_client_close(client);
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
