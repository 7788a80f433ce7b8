// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The one place the qxl tracepoints (qxl_trace.h) are instantiated. */

#include <linux/types.h>

#define CREATE_TRACE_POINTS
#include "qxl_trace.h"
