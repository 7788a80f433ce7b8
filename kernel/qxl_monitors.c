// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Monitors configs, both ways.  The driver tells the device where each
 * head sits on the primary (QXL_IO_MONITORS_CONFIG_ASYNC), and the client
 * tells the driver which heads it shows and at what size (ROM, announced
 * by an interrupt): that becomes connector status, preferred modes and the
 * suggested X/Y properties, followed by a hotplug event.
 */

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>

#include "qxl_drv.h"

/* The device updates config and CRC non-atomically: retry a mismatch a few times. */
#define QXL_CLIENT_CRC_RETRIES	10

static u32 qxl_monitors_size(struct qxl_device *qdev)
{
	return sizeof(struct qxl_monitors_config) + qdev->num_heads * sizeof(struct qxl_head);
}

int qxl_monitors_init(struct qxl_device *qdev)
{
	return qxl_vram_alloc(qdev, qxl_monitors_size(qdev), &qdev->monitors_node);
}

void qxl_monitors_fini(struct qxl_device *qdev)
{
	qxl_vram_free(qdev, &qdev->monitors_node);
}

/* Send the layout of a commit that changed it (all CRTCs are in the state). */
int qxl_monitors_send(struct qxl_device *qdev, struct drm_atomic_state *state)
{
	void __iomem *dst = qxl_vram_ptr(qdev, &qdev->monitors_node);
	struct qxl_monitors_config *cfg;
	struct drm_crtc_state *crtc_state;
	struct qxl_output *output;
	unsigned int i;
	u16 count = 0;
	int ret;

	cfg = kzalloc(qxl_monitors_size(qdev), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	for (i = 0; i < qdev->num_heads; i++) {
		output = qdev->outputs[i];
		crtc_state = drm_atomic_get_new_crtc_state(state, &output->crtc);
		if (!crtc_state)
			crtc_state = output->crtc.state;
		cfg->heads[i].id = i;
		if (!crtc_state->enable)
			continue;
		cfg->heads[i].width = crtc_state->mode.hdisplay;
		cfg->heads[i].height = crtc_state->mode.vdisplay;
		cfg->heads[i].x = to_qxl_crtc_state(crtc_state)->x;
		count = i + 1;
	}
	/* the device ignores an empty config */
	if (!count) {
		kfree(cfg);
		return 0;
	}
	cfg->count = count;
	cfg->max_allowed = qdev->num_heads;
	memcpy_toio(dst, cfg, qxl_monitors_size(qdev));
	kfree(cfg);

	mutex_lock(&qdev->io_lock);
	writeq(qxl_vram_phys(qdev, &qdev->monitors_node, 0), &qdev->ram_header->monitors_config);
	ret = qxl_io_async_locked(qdev, QXL_IO_MONITORS_CONFIG_ASYNC, 0);
	mutex_unlock(&qdev->io_lock);
	return ret;
}

bool qxl_client_head(struct qxl_device *qdev, unsigned int index,
		     struct qxl_devif_client_head *head)
{
	bool ret = false;

	mutex_lock(&qdev->client_lock);
	if (qdev->client_valid && index < qdev->client.count) {
		*head = qdev->client.heads[index];
		ret = head->width && head->height;
	}
	mutex_unlock(&qdev->client_lock);
	return ret;
}

static void qxl_client_update_properties(struct qxl_device *qdev)
{
	struct drm_device *dev = &qdev->drm;
	struct qxl_devif_client_head head;
	unsigned int i;

	drm_modeset_lock(&dev->mode_config.connection_mutex, NULL);
	for (i = 0; i < qdev->num_heads; i++) {
		struct drm_connector *connector = &qdev->outputs[i]->connector;

		if (!qxl_client_head(qdev, i, &head)) {
			head.x = 0;
			head.y = 0;
		}
		drm_object_property_set_value(&connector->base,
					      dev->mode_config.suggested_x_property, head.x);
		drm_object_property_set_value(&connector->base,
					      dev->mode_config.suggested_y_property, head.y);
	}
	drm_modeset_unlock(&dev->mode_config.connection_mutex);
}

static unsigned int qxl_client_enabled_heads(const struct qxl_devif_client_config *cfg)
{
	unsigned int i, n = 0;

	for (i = 0; i < cfg->count; i++)
		if (cfg->heads[i].width && cfg->heads[i].height)
			n++;
	return n;
}

/*
 * Re-read the client's config from the ROM.  notify: tell userspace when it
 * changed (not at probe, before the device is registered).
 */
void qxl_client_monitors_read(struct qxl_device *qdev, bool notify)
{
	struct qxl_client_monitors_config *raw;
	struct qxl_devif_client_config *parsed;
	const char *why = NULL;
	bool changed;
	int tries;
	int ret = -EAGAIN;
	u32 crc;

	raw = kmalloc(sizeof(*raw), GFP_KERNEL);
	parsed = kzalloc(sizeof(*parsed), GFP_KERNEL);
	if (!raw || !parsed)
		goto out;
	for (tries = 0; tries < QXL_CLIENT_CRC_RETRIES && ret == -EAGAIN; tries++) {
		if (tries)
			usleep_range(1000, 2000);
		crc = readl(&qdev->rom->client_monitors_config_crc);
		memcpy_fromio(raw, &qdev->rom->client_monitors_config, sizeof(*raw));
		ret = qxl_devif_client_monitors_parse(crc, raw, qdev->num_heads, parsed, &why);
	}
	if (ret) {
		drm_err_ratelimited(&qdev->drm, "client monitors config ignored: %s\n", why);
		goto out;
	}
	/*
	 * Disabled heads are fine next to an enabled one; a config that
	 * enables none of ours would leave no output at all.
	 */
	if (parsed->count && !qxl_client_enabled_heads(parsed)) {
		drm_err_ratelimited(&qdev->drm,
				    "client monitors config ignored: it enables none of the %u heads we use\n",
				    parsed->count);
		goto out;
	}

	mutex_lock(&qdev->client_lock);
	changed = qdev->client_valid != !!parsed->count ||
		  memcmp(&qdev->client, parsed, sizeof(*parsed));
	qdev->client = *parsed;
	qdev->client_valid = parsed->count > 0;
	mutex_unlock(&qdev->client_lock);

	drm_dbg_kms(&qdev->drm, "client monitors config: %u heads%s\n", parsed->count,
		    changed ? " (changed)" : "");
	/*
	 * The interrupt can come during probe, while the connectors are
	 * being set up (an output is published before its connector is
	 * initialised); the read at the end of qxl_kms_init() catches up.
	 */
	if (changed && smp_load_acquire(&qdev->kms_ready))
		qxl_client_update_properties(qdev);
	if (changed && notify && qdev->drm.registered)
		drm_kms_helper_hotplug_event(&qdev->drm);
out:
	kfree(parsed);
	kfree(raw);
}

static void qxl_client_work_func(struct work_struct *work)
{
	struct qxl_device *qdev = container_of(work, struct qxl_device, client_work);

	qxl_client_monitors_read(qdev, true);
}

void qxl_client_monitors_init(struct qxl_device *qdev)
{
	mutex_init(&qdev->client_lock);
	INIT_WORK(&qdev->client_work, qxl_client_work_func);
}
