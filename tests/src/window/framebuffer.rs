//! Screenshots read from the X server's own framebuffer.
//!
//! WebDriver's screenshot asks WebKit for a snapshot of the page, and WebKit answers that
//! only from its DMA-BUF renderer: with the renderer off, as the app runs on Linux to save
//! memory, the command never returns. So the window's pixels are taken where a person sees
//! them: `Xvfb -fbdir DIR` keeps its screen as an XWD image in `DIR/Xvfb_screen0`, which is
//! read, cut to the window and written as PNG.

use std::path::Path;

/// A rectangle of the screen, in pixels.
#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The PNG of `area` of the XWD screen file at `path`.
pub fn capture(path: &Path, area: Area) -> Result<Vec<u8>, String> {
    let xwd = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let screen = Screen::parse(&xwd)?;
    let rgb = screen.crop(area);
    let width = area.width.min(screen.width.saturating_sub(area.x));
    let height = area.height.min(screen.height.saturating_sub(area.y));
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(png)
}

/// A 24-bit TrueColor screen in XWD's ZPixmap layout, 32 bits per pixel.
struct Screen<'a> {
    width: u32,
    height: u32,
    bytes_per_line: usize,
    little_endian: bool,
    masks: [u32; 3],
    pixels: &'a [u8],
}

impl<'a> Screen<'a> {
    fn parse(xwd: &'a [u8]) -> Result<Screen<'a>, String> {
        // The header is 25 big-endian 32-bit fields (X11's XWDFileHeader).
        let field = |i: usize| -> Result<u32, String> {
            xwd.get(i * 4..i * 4 + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| "the XWD header is cut short".to_string())
        };
        let (header_size, version, format) = (field(0)?, field(1)?, field(2)?);
        let bits_per_pixel = field(11)?;
        if version != 7 || format != 2 || bits_per_pixel != 32 {
            return Err(format!(
                "an XWD screen of version {version}, format {format}, {bits_per_pixel} bits per pixel; expected 7, 2 (ZPixmap), 32"
            ));
        }
        let colours = field(19)? as usize;
        // Each colour-map entry is 12 bytes (XWDColor); the pixels follow.
        let start = header_size as usize + colours * 12;
        Ok(Screen {
            width: field(4)?,
            height: field(5)?,
            bytes_per_line: field(12)? as usize,
            little_endian: field(7)? == 0,
            masks: [field(14)?, field(15)?, field(16)?],
            pixels: xwd
                .get(start..)
                .ok_or_else(|| "the XWD file has no pixels".to_string())?,
        })
    }

    /// `area`, clipped to the screen, as 8-bit RGB rows.
    fn crop(&self, area: Area) -> Vec<u8> {
        let right = (area.x + area.width).min(self.width);
        let bottom = (area.y + area.height).min(self.height);
        let mut rgb = Vec::new();
        for y in area.y..bottom {
            for x in area.x..right {
                let at = y as usize * self.bytes_per_line + x as usize * 4;
                let Some(b) = self.pixels.get(at..at + 4) else {
                    rgb.extend([0, 0, 0]);
                    continue;
                };
                let word = [b[0], b[1], b[2], b[3]];
                let pixel = if self.little_endian {
                    u32::from_le_bytes(word)
                } else {
                    u32::from_be_bytes(word)
                };
                rgb.extend(self.masks.map(|mask| channel(pixel, mask)));
            }
        }
        rgb
    }
}

/// The 8-bit value of one colour channel of `pixel` under its mask.
fn channel(pixel: u32, mask: u32) -> u8 {
    if mask == 0 {
        return 0;
    }
    ((pixel & mask) >> mask.trailing_zeros()) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 little-endian XWD screen with a 2-byte window name and one colour-map entry.
    fn xwd(pixels: [[u32; 3]; 2]) -> Vec<u8> {
        let header_size = 100 + 2;
        let mut fields = [0u32; 25];
        fields[0] = header_size;
        fields[1] = 7;
        fields[2] = 2;
        fields[3] = 24;
        fields[4] = 3;
        fields[5] = 2;
        fields[7] = 0;
        fields[11] = 32;
        fields[12] = 3 * 4;
        fields[14] = 0xff0000;
        fields[15] = 0x00ff00;
        fields[16] = 0x0000ff;
        fields[19] = 1;
        let mut out: Vec<u8> = fields.iter().flat_map(|f| f.to_be_bytes()).collect();
        out.extend(b"x\0");
        out.extend([0u8; 12]);
        for row in pixels {
            for p in row {
                out.extend(p.to_le_bytes());
            }
        }
        out
    }

    #[test]
    fn a_cut_of_the_screen_keeps_each_pixels_colour_in_place() {
        let file = xwd([
            [0x00ff0000, 0x0000ff00, 0x000000ff],
            [0x00102030, 0x00405060, 0x00708090],
        ]);
        let screen = Screen::parse(&file).unwrap();
        let cut = screen.crop(Area {
            x: 1,
            y: 0,
            width: 2,
            height: 2,
        });
        assert_eq!(
            cut,
            [0, 255, 0, 0, 0, 255, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90]
        );
    }

    #[test]
    fn an_area_beyond_the_screen_is_clipped_and_the_png_decodes_to_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Xvfb_screen0");
        std::fs::write(&path, xwd([[1, 2, 3], [4, 5, 6]])).unwrap();
        let png = capture(
            &path,
            Area {
                x: 1,
                y: 1,
                width: 10,
                height: 10,
            },
        )
        .unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (2, 1));
    }

    #[test]
    fn a_file_that_is_not_a_32_bit_screen_is_refused_by_name() {
        let mut file = xwd([[0; 3]; 2]);
        file[11 * 4 + 3] = 16;
        let error = Screen::parse(&file).err().unwrap();
        assert!(error.contains("16 bits per pixel"), "{error}");
        assert!(Screen::parse(&file[..20]).is_err());
    }
}
