// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * debugfs: <debugfs>/dri/N/qxl_status shows ring fill levels, outstanding
 * releases, device memory use, upload totals and interrupt counts, in
 * "key: value" lines that tests parse.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include <drm/drm_file.h>

#include "qxl_drv.h"

static int qxl_status_show(struct seq_file *m, void *unused)
{
	struct qxl_device *qdev = m->private;
	enum qxl_ring_id id;
	u32 used, size;

	for (id = 0; id < QXL_RING_COUNT; id++) {
		struct qxl_ring *ring = &qdev->rings[id];

		qxl_ring_fill(ring, &used, &size);
		seq_printf(m, "%s_ring: %u/%u pushed %llu full_waits %llu\n", ring->name,
			   used, size, ring->pushed, ring->waits);
	}
	seq_printf(m, "releases_outstanding: %u\n", READ_ONCE(qdev->releases_outstanding));
	seq_printf(m, "releases_freed: %llu\n", READ_ONCE(qdev->releases_freed));
	seq_printf(m, "release_chains_rejected: %llu\n", qdev->release_chains_rejected);
	seq_printf(m, "release_ids_unknown: %llu\n", qdev->release_ids_unknown);
	seq_printf(m, "release_ids_unsubmitted: %llu\n", qdev->release_ids_unsubmitted);
	seq_printf(m, "vram_used: %llu\n", READ_ONCE(qdev->vram_used));
	seq_printf(m, "vram_peak: %llu\n", READ_ONCE(qdev->vram_peak));
	seq_printf(m, "vram_size: %u\n", qdev->layout.pages_size);
	seq_printf(m, "vram_oom_waits: %llu\n", READ_ONCE(qdev->vram_oom_waits));
	seq_printf(m, "dumb_mem_used: %llu\n", qxl_dumb_mem_used());
	seq_printf(m, "dumb_mem_limit: %llu\n", qxl_dumb_mem_limit());
	seq_printf(m, "primary: %ux%u%s\n", qdev->primary_width, qdev->primary_height,
		   qdev->primary_created ? "" : " (none)");
	seq_printf(m, "draws: %llu\n", READ_ONCE(qdev->draws));
	seq_printf(m, "bytes_uploaded: %llu\n", READ_ONCE(qdev->bytes_uploaded));
	seq_printf(m, "irq_total: %d\n", atomic_read(&qdev->irqs.total));
	seq_printf(m, "irq_display: %d\n", atomic_read(&qdev->irqs.display));
	seq_printf(m, "irq_cursor: %d\n", atomic_read(&qdev->irqs.cursor));
	seq_printf(m, "irq_io_cmd: %d\n", atomic_read(&qdev->irqs.io_cmd));
	seq_printf(m, "irq_error: %d\n", atomic_read(&qdev->irqs.error));
	seq_printf(m, "irq_client_monitors: %d\n", atomic_read(&qdev->irqs.client_monitors));
	seq_printf(m, "device_dead: %d\n", qdev->dead);
	seq_printf(m, "recoveries: %u\n", READ_ONCE(qdev->recoveries));
	seq_printf(m, "errors_late: %u\n", READ_ONCE(qdev->errors_late));
	seq_printf(m, "late_commands_retracted: %llu\n", READ_ONCE(qdev->late_commands_retracted));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(qxl_status);

/*
 * Writing to qxl_release_flush makes the device hand back every release it
 * holds back for batching, so tests can compare device memory use.
 */
static ssize_t qxl_release_flush_write(struct file *file, const char __user *buf,
				       size_t len, loff_t *ppos)
{
	struct qxl_device *qdev = file_inode(file)->i_private;
	int ret;

	ret = qxl_release_wait_idle(qdev);
	if (ret && ret != -EBUSY)
		return ret;
	return len;
}

static const struct file_operations qxl_release_flush_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = qxl_release_flush_write,
	.llseek = noop_llseek,
};

void qxl_debugfs_init(struct drm_minor *minor)
{
	debugfs_create_file("qxl_status", 0444, minor->debugfs_root,
			    to_qxl(minor->dev), &qxl_status_fops);
	debugfs_create_file("qxl_release_flush", 0200, minor->debugfs_root,
			    to_qxl(minor->dev), &qxl_release_flush_fops);
	qxl_fault_inject_debugfs_init(minor);
}
