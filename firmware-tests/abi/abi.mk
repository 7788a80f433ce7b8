# SPDX-License-Identifier: MIT
# ABI layout test (included by firmware-tests/Makefile).
SPICE_INC ?= /usr/include/spice-1
ABI_GEN := $(OUT)/abi/gen

$(ABI_GEN)/abi_keys.c: $(HERE)/abi/gen-abi $(HERE)/abi/names.map $(TOP)/uapi/qxl_device.h
	@mkdir -p $(ABI_GEN)
	$(HERE)/abi/gen-abi $(TOP)/uapi/qxl_device.h $(HERE)/abi/names.map $(SPICE_INC)/spice $(ABI_GEN)

$(ABI_GEN)/abi_ours.c $(ABI_GEN)/abi_spice.c: $(ABI_GEN)/abi_keys.c

$(ABI_GEN)/abi_ours.o: $(ABI_GEN)/abi_ours.c $(HERE)/abi/abi_table.h
	$(CC) -std=gnu11 -O0 -Wall -Wextra -Werror -Wno-type-limits -I$(TOP)/uapi -I$(HERE)/abi -c -o $@ $<

$(ABI_GEN)/abi_spice.o: $(ABI_GEN)/abi_spice.c $(HERE)/abi/abi_table.h
	$(CC) -std=gnu11 -O0 -Wall -Wextra -Werror -Wno-type-limits -I$(SPICE_INC) -I$(HERE)/abi -c -o $@ $<

$(ABI_BIN): $(HERE)/abi/abi_compare.c $(ABI_GEN)/abi_keys.c $(ABI_GEN)/abi_ours.o $(ABI_GEN)/abi_spice.o $(HERE)/lib/tap.c $(HERE)/lib/tap.h
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I$(HERE)/abi -I$(HERE)/lib -o $@ \
		$(HERE)/abi/abi_compare.c $(ABI_GEN)/abi_keys.c $(ABI_GEN)/abi_ours.o \
		$(ABI_GEN)/abi_spice.o $(HERE)/lib/tap.c

# uapi/qxl_drm.h against libdrm's qxl_drm.h (mainline's ioctl ABI)
DRM_INC ?= /usr/include/libdrm
ABI_DRM_GEN := $(OUT)/abi/gen-drm

$(ABI_DRM_GEN)/abi_keys.c: $(HERE)/abi/gen-abi $(HERE)/abi/drm-names.map $(TOP)/uapi/qxl_drm.h
	@mkdir -p $(ABI_DRM_GEN)
	$(HERE)/abi/gen-abi --ref-include '<stdint.h>' --ref-include '<qxl_drm.h>' \
		--ref-name libdrm --const-re '(?:QXL|DRM_QXL|DRM_IOCTL_QXL)_\w+' \
		$(TOP)/uapi/qxl_drm.h $(HERE)/abi/drm-names.map $(DRM_INC) $(ABI_DRM_GEN)

$(ABI_DRM_GEN)/abi_ours.c $(ABI_DRM_GEN)/abi_spice.c: $(ABI_DRM_GEN)/abi_keys.c

$(ABI_DRM_GEN)/abi_ours.o: $(ABI_DRM_GEN)/abi_ours.c $(HERE)/abi/abi_table.h
	$(CC) -std=gnu11 -O0 -Wall -Wextra -Werror -Wno-type-limits -I$(TOP)/uapi -I$(DRM_INC) -I$(HERE)/abi -c -o $@ $<

$(ABI_DRM_GEN)/abi_spice.o: $(ABI_DRM_GEN)/abi_spice.c $(HERE)/abi/abi_table.h
	$(CC) -std=gnu11 -O0 -Wall -Wextra -Werror -Wno-type-limits -I$(DRM_INC) -I$(HERE)/abi -c -o $@ $<

$(ABI_DRM_BIN): $(HERE)/abi/abi_compare.c $(ABI_DRM_GEN)/abi_keys.c $(ABI_DRM_GEN)/abi_ours.o $(ABI_DRM_GEN)/abi_spice.o $(HERE)/lib/tap.c $(HERE)/lib/tap.h
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I$(HERE)/abi -I$(HERE)/lib -o $@ \
		$(HERE)/abi/abi_compare.c $(ABI_DRM_GEN)/abi_keys.c $(ABI_DRM_GEN)/abi_ours.o \
		$(ABI_DRM_GEN)/abi_spice.o $(HERE)/lib/tap.c
