#ifndef CELL_CNETLINK_SHIM_H
#define CELL_CNETLINK_SHIM_H
/* libnl-route-3 (Debian's libnl-route-3-dev): links, addresses and routes over rtnetlink. */
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/errno.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#endif
