// Which sound card an ALSA device name opens, for reserving it on the session bus.

#include <gtest/gtest.h>

#include "drivers/alsa/device_reservation.hpp"

using bantam::drivers::alsa::card_of_device;

TEST(alsa_card_of_device, hw_and_plughw_name_a_card) {
    EXPECT_EQ(card_of_device("hw:0"), 0);
    EXPECT_EQ(card_of_device("hw:1,0"), 1);
    EXPECT_EQ(card_of_device("plughw:2"), 2);
    EXPECT_EQ(card_of_device("hw:CARD=3,DEV=0"), 3);
    EXPECT_EQ(card_of_device("hw:12,1,0"), 12);
}

TEST(alsa_card_of_device, other_devices_are_not_cards) {
    EXPECT_EQ(card_of_device("default"), -1);
    EXPECT_EQ(card_of_device("bantam_card"), -1);
    EXPECT_EQ(card_of_device("dmix:0"), -1);
    EXPECT_EQ(card_of_device("hw:"), -1);
    EXPECT_EQ(card_of_device("hw:123"), -1);
    // A card name resolves only when such a card exists (this machine's tests have none).
    EXPECT_EQ(card_of_device("hw:NoSuchCardHere"), -1);
}
