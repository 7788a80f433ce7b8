/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Tracepoints (tracefs events/qxl/): what the driver gave the device and
 * what came back, so that a user's VM can be debugged without spice-server's
 * ring record.  Fields are numbers only: no strings, whose tracepoint
 * helpers changed between the kernels we build for.
 *
 *   qxl_cmd_push        a command on a ring: its release id, type, the
 *                       ring position it took
 *   qxl_release_retire  a release done with: handed back by the device
 *                       (error 0) or forgotten (a reset, a refused push)
 *   qxl_io_async        an async I/O and how long its completion took
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM qxl

#if !defined(QXL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define QXL_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(qxl_cmd_push,
	    TP_PROTO(int minor, u32 ring, u32 id, u32 type, u32 prod),
	    TP_ARGS(minor, ring, id, type, prod),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, ring)
			     __field(u32, id)
			     __field(u32, type)
			     __field(u32, prod)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->ring = ring;
			   __entry->id = id;
			   __entry->type = type;
			   __entry->prod = prod;),
	    TP_printk("minor=%d ring=%s id=%u type=%u prod=%u", __entry->minor,
		      __print_symbolic(__entry->ring, { 0, "display" }, { 1, "cursor" }),
		      __entry->id, __entry->type, __entry->prod)
);

TRACE_EVENT(qxl_release_retire,
	    TP_PROTO(int minor, u32 id, int error),
	    TP_ARGS(minor, id, error),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, id)
			     __field(int, error)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->id = id;
			   __entry->error = error;),
	    TP_printk("minor=%d id=%u error=%d", __entry->minor, __entry->id,
		      __entry->error)
);

TRACE_EVENT(qxl_io_async,
	    TP_PROTO(int minor, u32 port, u32 val, u32 usecs, int ret),
	    TP_ARGS(minor, port, val, usecs, ret),
	    TP_STRUCT__entry(__field(int, minor)
			     __field(u32, port)
			     __field(u32, val)
			     __field(u32, usecs)
			     __field(int, ret)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->port = port;
			   __entry->val = val;
			   __entry->usecs = usecs;
			   __entry->ret = ret;),
	    TP_printk("minor=%d port=%u val=%u usecs=%u ret=%d", __entry->minor,
		      __entry->port, __entry->val, __entry->usecs, __entry->ret)
);

#endif /* QXL_TRACE_H */

/* This part must be outside the include guard: define_trace.h reads it again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE qxl_trace
#include <trace/define_trace.h>
