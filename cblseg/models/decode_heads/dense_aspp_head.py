# Copyright (c) cblseg contributors. All rights reserved.
"""DenseASPP decode head (Yang et al., "DenseASPP for Semantic Segmentation
in Street Scenes", CVPR 2018).

What DenseASPP is. ASPP (DeepLabV3) puts atrous convolutions of a few rates
*side by side* on the backbone feature; DenseASPP *stacks* them and connects
them densely, as DenseNet does: on the last feature of a dilated backbone
(output stride 8), a cascade of atrous layers with dilation rates
``(3, 6, 12, 18, 24)``, where the input of layer ``i`` is the concatenation
of the backbone feature and the outputs of all the layers before it. Each
layer is DenseNet's bottleneck layer, pre-activated:

    BN-ReLU-1x1 conv (to ``bottleneck_channels``)
    -> BN-ReLU-3x3 conv, dilation d (to ``growth_channels``) -> dropout

so layer ``i`` takes ``in_channels + i * growth_channels`` channels and the
final concatenation has ``in_channels + len(dilations) * growth_channels``.
The paper classifies that concatenation with a 1x1 convolution.

Receptive field. A 3x3 convolution with dilation ``d`` widens the receptive
field by ``2d``. The cascade through all five layers sees
``1 + 2 * (3 + 6 + 12 + 18 + 24) = 127`` feature-map pixels (about 1000
input pixels at output stride 8, on top of the backbone's own), where the
widest ASPP branch (rate 24) sees 49; and because every layer also reads the
outputs of every earlier one, the outputs mix all the sums of subsets of the
rates, i.e. a dense set of scales rather than four samples of them.

Where this head differs from the paper (and its reference code):

* a 3x3 ``ConvModule`` (``fusion_conv``: conv-norm-act, ``channels``
  outputs) fuses the final concatenation before ``cls_seg``. It is an
  MMSeg-style addition: ``BaseDecodeHead.cls_seg`` (dropout + 1x1
  ``conv_seg``) takes ``channels`` channels, as in every MMSeg head, and the
  feature it receives is normalised and activated like theirs, which is
  what the CBL heads (:class:`CBLDenseASPPHead`) use as their feature. MMSeg's
  ASPPHead fuses its branches the same way (``bottleneck``);
* every layer is pre-activated, the first one included: the paper's first
  layer skips the BN because DenseNet's features end with one, which MMSeg
  backbones (e.g. ResNet, ending with a ReLU) do not;
* the convolutions follow ``ConvModule``'s ``bias='auto'``: no bias when a
  norm layer is configured;
* the paper's per-layer dropout is ``layer_dropout_ratio`` (default 0.1, as
  in the paper) and its dropout before the classifier is
  ``BaseDecodeHead``'s ``dropout_ratio``.
"""
from typing import List, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from torch import Tensor

from cblseg.ops.checks import check_int

__all__ = ['DenseASPPLayer', 'DenseASPPHead']


class DenseASPPLayer(nn.Module):
    """One layer of DenseASPP: BN-ReLU-1x1 conv, BN-ReLU-3x3 atrous conv,
    dropout.

    Args:
        in_channels (int): Channels of the dense concatenation it reads.
        bottleneck_channels (int): Channels after the 1x1 convolution.
        growth_channels (int): Channels of the output (the atrous
            convolution's).
        dilation (int): Dilation (and padding) of the 3x3 convolution.
        dropout_ratio (float): Probability of ``nn.Dropout2d`` on the output;
            0 for none.
        conv_cfg (dict | None): Config of conv layers.
        norm_cfg (dict | None): Config of norm layers.
        act_cfg (dict | None): Config of activation layers.
    """

    def __init__(self, in_channels: int, bottleneck_channels: int,
                 growth_channels: int, dilation: int, dropout_ratio: float,
                 conv_cfg, norm_cfg, act_cfg) -> None:
        super().__init__()
        self.dilation = dilation
        # Pre-activation: with no norm layer in front, an in-place activation
        # would overwrite the dense concatenation (or the backbone feature)
        # that later layers and the backward pass still read.
        self.reduce_conv = ConvModule(
            in_channels,
            bottleneck_channels,
            1,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            inplace=norm_cfg is not None,
            order=('norm', 'act', 'conv'))
        self.atrous_conv = ConvModule(
            bottleneck_channels,
            growth_channels,
            3,
            dilation=dilation,
            padding=dilation,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            order=('norm', 'act', 'conv'))
        self.dropout = nn.Dropout2d(
            dropout_ratio) if dropout_ratio > 0 else None

    def forward(self, x: Tensor) -> Tensor:
        """Forward function.

        Args:
            x (Tensor): ``B x in_channels x H x W`` dense concatenation.

        Returns:
            Tensor: ``B x growth_channels x H x W``.
        """
        out = self.atrous_conv(self.reduce_conv(x))
        if self.dropout is not None:
            out = self.dropout(out)
        return out


@MODELS.register_module()
class DenseASPPHead(BaseDecodeHead):
    """DenseASPP: densely connected atrous convolutions.

    This head is the implementation of DenseASPP (Yang et al., "DenseASPP
    for Semantic Segmentation in Street Scenes", CVPR 2018) for a dilated
    backbone's last feature (output stride 8); see the module docstring for
    the structure and where it differs from the paper.

    The defaults ``bottleneck_channels=512`` and ``growth_channels=128`` are
    those of the paper's DenseASPP on DenseNet-161 (whose last feature has
    1104 channels; 128 and 64 for DenseNet-121's 512): the widest setting of
    the paper, for the 2048 channels of a ResNet-50.

    Args:
        dilations (Sequence[int]): Dilation rate of each atrous layer, in
            cascade order. Default: (3, 6, 12, 18, 24).
        bottleneck_channels (int): Output channels of the 1x1 convolution
            of each layer. Default: 512.
        growth_channels (int): Output channels of each layer (of its 3x3
            atrous convolution), appended to the dense concatenation.
            Default: 128.
        layer_dropout_ratio (float): Ratio of the ``nn.Dropout2d`` on each
            layer's output (0 for none). Not ``dropout_ratio``, which is
            ``BaseDecodeHead``'s, before ``conv_seg``. Default: 0.1.
        **kwargs: ``BaseDecodeHead``'s arguments; ``channels`` is the width
            of ``fusion_conv``, the 3x3 convolution that fuses the final
            concatenation for ``cls_seg``. ``input_transform`` may be None
            or ``'resize_concat'`` (the head takes one feature map).
    """

    def __init__(self,
                 dilations: Sequence[int] = (3, 6, 12, 18, 24),
                 bottleneck_channels: int = 512,
                 growth_channels: int = 128,
                 layer_dropout_ratio: float = 0.1,
                 **kwargs) -> None:
        self._check_args(
            type(self).__name__, dilations, bottleneck_channels,
            growth_channels, layer_dropout_ratio, kwargs)
        super().__init__(**kwargs)
        # (numpy integers pass the checks; the layers get ints)
        self.dilations = tuple(int(d) for d in dilations)
        self.bottleneck_channels = int(bottleneck_channels)
        self.growth_channels = int(growth_channels)
        self.layer_dropout_ratio = layer_dropout_ratio
        self.dense_layers = nn.ModuleList(
            DenseASPPLayer(
                self.in_channels + i * self.growth_channels,
                self.bottleneck_channels,
                self.growth_channels,
                dilation,
                layer_dropout_ratio,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg)
            for i, dilation in enumerate(self.dilations))
        self.fusion_conv = ConvModule(
            self.in_channels + len(self.dilations) * self.growth_channels,
            self.channels,
            3,
            padding=1,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

    @staticmethod
    def _check_args(name, dilations, bottleneck_channels, growth_channels,
                    layer_dropout_ratio, kwargs) -> None:
        """Raise a ValueError naming the head (``name``) for arguments that
        would otherwise fail deep inside torch (or silently build a head
        without layers)."""
        if isinstance(dilations, (str, bytes)) or not isinstance(
                dilations, Sequence) or len(dilations) == 0:
            raise ValueError(f'{name}: dilations must be a non-empty '
                             f'sequence of positive ints, got {dilations!r}')
        for i, dilation in enumerate(dilations):
            check_int(f'{name}: dilations[{i}]', dilation, 1)
        channel_args = dict(
            bottleneck_channels=bottleneck_channels,
            growth_channels=growth_channels,
            channels=kwargs.get('channels'))
        in_channels = kwargs.get('in_channels')
        if isinstance(in_channels, Sequence):
            if kwargs.get('input_transform') == 'multiple_select':
                raise ValueError(
                    f'{name} takes one feature map: input_transform must be '
                    "None or 'resize_concat', got 'multiple_select'")
            channel_args.update({
                f'in_channels[{i}]': channels
                for i, channels in enumerate(in_channels)
            })
        else:
            channel_args['in_channels'] = in_channels
        for arg, value in channel_args.items():
            if value is None:
                continue  # missing: BaseDecodeHead's TypeError names it
            check_int(f'{name}: {arg}', value, 1)
        if not 0 <= layer_dropout_ratio < 1:
            raise ValueError(f'{name}: layer_dropout_ratio must be in [0, 1), '
                             f'got {layer_dropout_ratio!r}')

    def _forward_feature(self, inputs: List[Tensor]) -> Tensor:
        """The fused DenseASPP feature, before ``cls_seg``.

        Args:
            inputs (list[Tensor]): Multi-level features from the backbone.

        Returns:
            Tensor: ``B x channels x H x W`` at the selected feature's size.
        """
        dense = self._transform_inputs(inputs)
        for layer in self.dense_layers:
            dense = torch.cat([dense, layer(dense)], dim=1)
        return self.fusion_conv(dense)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Forward function."""
        # Through cls_seg (dropout + conv_seg): the CBL heads hook its input.
        return self.cls_seg(self._forward_feature(inputs))
