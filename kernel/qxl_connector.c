// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Virtual encoders and connectors.  A head is connected and has a
 * preferred size when the client's monitors config says so; without a
 * client config only the first head is connected.  The mode list is the
 * device's (ROM modes that fit the primary area) plus the client's size.
 */

#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_modes.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"

#define QXL_DEFAULT_WIDTH	1024
#define QXL_DEFAULT_HEIGHT	768

static inline struct qxl_output *connector_to_output(struct drm_connector *connector)
{
	return container_of(connector, struct qxl_output, connector);
}

/* A 60 Hz CVT mode of exactly width x height (CVT rounds widths to 8). */
static struct drm_display_mode *qxl_connector_mode(struct drm_device *dev, u32 width,
						   u32 height)
{
	struct drm_display_mode *mode;

	mode = drm_cvt_mode(dev, ALIGN(width, 8), height, 60, false, false, false);
	if (!mode)
		return NULL;
	mode->hdisplay = width;
	mode->vdisplay = height;
	drm_mode_set_name(mode);
	return mode;
}

static int qxl_connector_helper_get_modes(struct drm_connector *connector)
{
	struct qxl_device *qdev = to_qxl(connector->dev);
	struct qxl_output *output = connector_to_output(connector);
	struct qxl_devif_client_head client;
	struct drm_display_mode *mode;
	const struct qxl_mode *rom_mode;
	int count = 0;
	u32 i;

	for (i = 0; i < qdev->layout.n_modes; i++) {
		rom_mode = qxl_devif_rom_mode(qdev->rom_copy, &qdev->layout, i);
		if (!rom_mode || rom_mode->bits != 32 || rom_mode->orientation != 0 ||
		    !qxl_primary_fits(qdev, rom_mode->x_res, rom_mode->y_res))
			continue;
		mode = qxl_connector_mode(connector->dev, rom_mode->x_res, rom_mode->y_res);
		if (!mode)
			continue;
		drm_mode_probed_add(connector, mode);
		count++;
	}

	if (qxl_client_head(qdev, output->index, &client) &&
	    qxl_primary_fits(qdev, client.width, client.height)) {
		mode = qxl_connector_mode(connector->dev, client.width, client.height);
		if (mode) {
			mode->type |= DRM_MODE_TYPE_PREFERRED;
			drm_mode_probed_add(connector, mode);
			count++;
		}
	} else {
		drm_set_preferred_mode(connector, QXL_DEFAULT_WIDTH, QXL_DEFAULT_HEIGHT);
	}
	return count;
}

static enum drm_mode_status qxl_connector_helper_mode_valid(struct drm_connector *connector,
							    struct drm_display_mode *mode)
{
	return qxl_mode_fits(to_qxl(connector->dev), mode);
}

static const struct drm_connector_helper_funcs qxl_connector_helper_funcs = {
	.get_modes = qxl_connector_helper_get_modes,
	.mode_valid = qxl_connector_helper_mode_valid,
};

static enum drm_connector_status qxl_connector_detect(struct drm_connector *connector,
						      bool force)
{
	struct qxl_device *qdev = to_qxl(connector->dev);
	struct qxl_output *output = connector_to_output(connector);
	struct qxl_devif_client_head client;
	bool have_config;

	mutex_lock(&qdev->client_lock);
	have_config = qdev->client_valid;
	mutex_unlock(&qdev->client_lock);
	if (!have_config)
		return output->index == 0 ? connector_status_connected :
					    connector_status_disconnected;
	return qxl_client_head(qdev, output->index, &client) ? connector_status_connected :
							       connector_status_disconnected;
}

static const struct drm_connector_funcs qxl_connector_funcs = {
	.detect = qxl_connector_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

int qxl_connector_init(struct qxl_device *qdev, struct qxl_output *output)
{
	struct drm_device *dev = &qdev->drm;
	struct drm_connector *connector = &output->connector;
	int ret;

	ret = drmm_encoder_init(dev, &output->encoder, NULL, DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	output->encoder.possible_crtcs = drm_crtc_mask(&output->crtc);

	ret = drmm_connector_init(dev, connector, &qxl_connector_funcs,
				  DRM_MODE_CONNECTOR_VIRTUAL, NULL);
	if (ret)
		return ret;
	drm_connector_helper_add(connector, &qxl_connector_helper_funcs);
	connector->polled = DRM_CONNECTOR_POLL_HPD;
	drm_object_attach_property(&connector->base, dev->mode_config.suggested_x_property, 0);
	drm_object_attach_property(&connector->base, dev->mode_config.suggested_y_property, 0);
	return drm_connector_attach_encoder(connector, &output->encoder);
}
